<?xml version="1.0" encoding="UTF-8"?>
<!-- Test-only: not a valid stylesheet (unknown XSLT instruction). -->
<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="/">
    <xsl:no-such-instruction/>
  </xsl:template>
</xsl:stylesheet>
