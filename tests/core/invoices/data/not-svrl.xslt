<?xml version="1.0" encoding="UTF-8"?>
<!-- Test-only: a stylesheet that reports in HTML instead of SVRL. -->
<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="/">
    <html><body>All fine, says this report.</body></html>
  </xsl:template>
</xsl:stylesheet>
