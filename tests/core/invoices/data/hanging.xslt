<?xml version="1.0" encoding="UTF-8"?>
<!-- Test-only: compiles, then computes for hours on every document (a hang). -->
<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="/">
    <result><xsl:value-of select="sum(for $i in 1 to 1000000, $j in 1 to 1000000 return ($i * $j) mod 7)"/></result>
  </xsl:template>
</xsl:stylesheet>
