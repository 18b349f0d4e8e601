"""Pure scoring of spans and relations, and statistics. No I/O, no model code."""
