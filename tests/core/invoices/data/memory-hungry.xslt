<?xml version="1.0" encoding="UTF-8"?>
<!-- Test-only: compiles, then builds a string of several GB on every document,
     more than the validator process's memory cap allows. -->
<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="/">
    <xsl:variable name="big" select="string-join(for $i in 1 to 400000000 return 'xxxxxxxxxx', '')"/>
    <result><xsl:value-of select="string-length($big)"/></result>
  </xsl:template>
</xsl:stylesheet>
