"""The report formats for machines and CI servers; ``reporters.render`` picks one."""
