"""Bulk course upload: a spreadsheet (CSV or XLSX) of courses and their runs, one row per run.

``columns`` says what each column holds and how a cell is read; ``files`` reads a file safely
(encodings, delimiters, size and zip-bomb limits, formulas) and writes the template and the
download; ``plan`` checks every row and matches it against the IoT's catalogue (the preview);
``services`` creates, checks and applies imports.
"""
