"""Who receives which document, and the register of what was sent.

bundles (the year's documents + "Nơi nhận" → one bundle per recipient, and the
letters), sent (the log of what was sent, replayed from the state journal, and
what is still due), register (the register rows and their published data). The
status page's section on them is documents.register_view.
"""
