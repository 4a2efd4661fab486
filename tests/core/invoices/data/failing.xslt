<?xml version="1.0" encoding="UTF-8"?>
<!-- Test-only: compiles, then raises a dynamic error on every document. -->
<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="/">
    <xsl:message terminate="yes">test rule set gives up</xsl:message>
  </xsl:template>
</xsl:stylesheet>
