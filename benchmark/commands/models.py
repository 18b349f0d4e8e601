"""``arabench models [NAME]``: list the registered models and whether each can run here now."""

from __future__ import annotations

import argparse
import json
from typing import cast

from arabench.benchmark.cli import EXIT_OK

HELP = "list the registered models (adapter, view, what each needs, whether it can run here now); or show one"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``models`` options."""
    parser.add_argument(
        "name", nargs="?", default=None, help="show one model: a name, a card name or PREFIX:ARG (e.g. hf:/path)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--available", action="store_true", help="list only the models that can run here now")


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _card_details(name: str) -> dict[str, object] | None:
    from arabench.models.cards import known_cards

    card = known_cards().get(name)
    if card is None:
        return None
    return {
        "hub_id": card.hub_id,
        "revision": card.revision,
        "revision_note": card.revision_note,
        "labels": list(card.labels),
        "labels_checked": card.labels_checked,
        "view": {"name": card.view.name, "labels": sorted(card.view.labels)},
        "label_map": card.label_map.as_dict(),
        "input": card.input,
        "training_data": card.training_data,
        "license": card.license,
        "citation": card.citation,
        "card_file": card.path,
    }


def _options(name: str) -> list[dict[str, object]]:
    """The user options of the model's adapter, from its declaration (:class:`arabench.models.base.Option`)."""
    from arabench.models.registry import model_options

    return [
        {
            "name": o.name,
            "type": o.type,
            "default": o.default,
            "minimum": o.minimum,
            "maximum": o.maximum,
            "choices": list(o.choices),
            "from_run": o.from_run,
            "help": o.help,
            "text": o.describe(),
        }
        for o in model_options(name)
        if o.user
    ]


def main(args: argparse.Namespace) -> int:
    """Print the model list (or one model) as a table or JSON."""
    from arabench.models.registry import get_info, list_models

    if args.name is not None:
        info = get_info(args.name)  # ModelError with suggestions for an unknown name
        data = info.as_dict()
        details = _card_details(info.name) if info.kind == "card" else None
        if details:
            data["card"] = details
        options = _options(args.name)
        data["options"] = options
        if args.json:
            print(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            for key, value in data.items():
                if key == "options":
                    print("options:" + ("" if value else " (none)"))
                    for line in options:
                        print(f"  {line['text']}")
                elif key == "card":
                    assert details is not None  # "card" is in data only when details were found
                    for card_key, card_value in details.items():
                        shown = (
                            json.dumps(card_value, ensure_ascii=False)
                            if not isinstance(card_value, str)
                            else card_value
                        )
                        print(f"{card_key}: {shown}")
                else:
                    print(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
        return EXIT_OK
    infos = [i.as_dict() for i in list_models()]
    if args.available:
        infos = [i for i in infos if i["available"]]
    if args.json:
        print(json.dumps(infos, ensure_ascii=False, indent=2))
        return EXIT_OK
    rows: list[list[str]] = []
    notes: list[str] = []
    for i in infos:
        if i["available"]:
            status = "yes" if i["reason"] == "ready" else f"yes ({i['reason']})"
        else:
            notes.append(f"[{len(notes) + 1}] {i['name']}: {i['reason']}")
            status = f"no [{len(notes)}]"
        view = str(i["view"] or "(from card, map or file)")
        rows.append([str(i["name"]), str(i["adapter"]), view, "; ".join(cast("list[str]", i["needs"])) or "-", status])
    print(_table(rows, ["name", "adapter", "view", "needs", "runs here now"]))
    if notes:
        print("\nwhy not, and what to do:")
        print("\n".join(notes))
    ready = sum(1 for i in infos if i["available"])
    print(f"\n{ready} of {len(infos)} can run here now; names ending in ':' take an argument (hf:<hub id or path>).")
    return EXIT_OK
