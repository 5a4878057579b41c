"""The pure core: no file access, no clock, no logging set-up."""
