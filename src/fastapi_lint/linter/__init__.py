"""The engine: discovery, configuration, parsing, the project index, rules, fixes, reporters."""
