<?xml version="1.0" encoding="UTF-8"?>
<!-- Test-only rule set, not a standard: a document without a document-level
     note fails the fictional rule TEST-EXTRA-1 (fatal). -->
<xsl:stylesheet version="2.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:svrl="http://purl.oclc.org/dsdl/svrl"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <xsl:output method="xml" indent="yes"/>
  <xsl:template match="/">
    <svrl:schematron-output title="Test-only extra rules">
      <svrl:active-pattern id="test-extra"/>
      <xsl:if test="not(/*/cbc:Note)">
        <svrl:failed-assert test="/*/cbc:Note" id="TEST-EXTRA-1" flag="fatal"
            location="/*[local-name()='{local-name(/*)}']">
          <svrl:text>[TEST-EXTRA-1] Test rule: the document must carry a note.</svrl:text>
        </svrl:failed-assert>
      </xsl:if>
    </svrl:schematron-output>
  </xsl:template>
</xsl:stylesheet>
