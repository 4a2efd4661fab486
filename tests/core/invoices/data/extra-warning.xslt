<?xml version="1.0" encoding="UTF-8"?>
<!-- Test-only rule set, not a standard: always reports the fictional warning
     TEST-EXTRA-2, as a successful-report carrying a role instead of a flag. -->
<xsl:stylesheet version="2.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
  <xsl:output method="xml" indent="yes"/>
  <xsl:template match="/">
    <svrl:schematron-output title="Test-only advice">
      <svrl:successful-report test="true()" id="TEST-EXTRA-2" role="warning" location="/">
        <svrl:text>[TEST-EXTRA-2] Test advice,
          spread over two lines.</svrl:text>
      </svrl:successful-report>
    </svrl:schematron-output>
  </xsl:template>
</xsl:stylesheet>
