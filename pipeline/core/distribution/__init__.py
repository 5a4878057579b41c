"""Who receives which document, and the register of what was sent.

bundles (the year's documents + "Nơi nhận" → one bundle per recipient, and the
letters), register (the sent log replayed, the register rows and page section).
"""
