"""Model adapters behind one Protocol, a lazy registry, label maps and model cards."""
