"""The I/O shell: the only code that opens, reads or writes files."""
