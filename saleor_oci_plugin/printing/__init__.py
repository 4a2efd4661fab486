"""PDF output shared by greeting cards and invoice copies.

ReportLab draws the PDFs and pypdfium2 turns them into images. Both install as
wheels that need no system packages: ReportLab is pure Python and ships the
Bitstream Vera TrueType fonts that are embedded in every PDF made here, and
pypdfium2's wheels carry PDFium itself. Both are imported only when a PDF is made,
so the plugin's start-up does not pay for them.
"""
