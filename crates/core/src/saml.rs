//! SAML 2.0 for a user pool as a service provider: the identity provider's metadata, the
//! AuthnRequest of the redirect binding, and the checks of a Response whose signature is
//! verified elsewhere (by xmlsec). Every document is read with a real XML parser (no DTDs),
//! and the signed element is pinned down before anything is read from it: one Response, one
//! Assertion, the signature a direct child of the element it references by a unique ID, so
//! that no wrapped or second assertion is ever read.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use roxmltree::{Document, Node};
use std::collections::BTreeMap;
use std::io::Write;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub const NS_PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const NS_ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const NS_METADATA: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
pub const REDIRECT_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
pub const POST_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
/// How far the identity provider's clock may be from ours.
const SKEW_SECONDS: f64 = 120.0;

/// Why a SAML document is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlError(pub String);

fn fail<T>(why: impl Into<String>) -> Result<T, SamlError> {
    Err(SamlError(why.into()))
}

fn parse(xml: &str) -> Result<Document<'_>, SamlError> {
    Document::parse(xml).map_err(|e| SamlError(format!("not well-formed XML: {e}")))
}

fn is(node: &Node, ns: &str, name: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(ns) && node.tag_name().name() == name
}

fn children<'a, 'i>(
    node: Node<'a, 'i>,
    ns: &'a str,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| is(c, ns, name))
}

fn child<'a, 'i>(node: Node<'a, 'i>, ns: &'a str, name: &'a str) -> Option<Node<'a, 'i>> {
    children(node, ns, name).next()
}

fn text(node: Option<Node>) -> Option<String> {
    node.and_then(|n| n.text()).map(|t| t.trim().to_owned())
}

/// What a pool needs of an identity provider's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpMetadata {
    pub entity_id: String,
    pub sso_redirect: Option<String>,
    pub slo_redirect: Option<String>,
    /// The signing certificates, base64 DER.
    pub certificates: Vec<String>,
}

/// Reads an `EntityDescriptor` (or the first of an `EntitiesDescriptor`) with an IDPSSODescriptor.
pub fn parse_metadata(xml: &str) -> Result<IdpMetadata, SamlError> {
    let doc = parse(xml)?;
    let entity = doc
        .descendants()
        .find(|n| {
            is(n, NS_METADATA, "EntityDescriptor")
                && child(*n, NS_METADATA, "IDPSSODescriptor").is_some()
        })
        .ok_or_else(|| SamlError("no EntityDescriptor with an IDPSSODescriptor".into()))?;
    let idp = child(entity, NS_METADATA, "IDPSSODescriptor").expect("checked above");
    let redirect = |name: &str| {
        children(idp, NS_METADATA, name)
            .find(|s| s.attribute("Binding") == Some(REDIRECT_BINDING))
            .and_then(|s| s.attribute("Location"))
            .map(str::to_owned)
    };
    let certificates = children(idp, NS_METADATA, "KeyDescriptor")
        .filter(|k| k.attribute("use").is_none_or(|u| u == "signing"))
        .flat_map(|k| {
            k.descendants()
                .filter(|n| is(n, NS_DSIG, "X509Certificate"))
        })
        .filter_map(|c| c.text())
        .map(|t| t.split_whitespace().collect::<String>())
        .collect();
    Ok(IdpMetadata {
        entity_id: entity
            .attribute("entityID")
            .ok_or_else(|| SamlError("the EntityDescriptor has no entityID".into()))?
            .to_owned(),
        sso_redirect: redirect("SingleSignOnService"),
        slo_redirect: redirect("SingleLogoutService"),
        certificates,
    })
}

/// A certificate of the metadata as PEM.
pub fn certificate_pem(base64_der: &str) -> String {
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in base64_der.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An SAML timestamp.
pub fn instant(seconds: f64) -> String {
    OffsetDateTime::from_unix_timestamp(seconds as i64)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// The AuthnRequest a pool sends (unsigned), its answer to come by HTTP-POST to `acs`.
pub fn authn_request(
    id: &str,
    now: f64,
    destination: &str,
    acs: &str,
    sp_entity_id: &str,
) -> String {
    format!(
        "<samlp:AuthnRequest xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" \
         ID=\"{}\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"{}\" \
         AssertionConsumerServiceURL=\"{}\" ProtocolBinding=\"{POST_BINDING}\">\
         <saml:Issuer>{}</saml:Issuer>\
         <samlp:NameIDPolicy Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\" AllowCreate=\"true\"/>\
         </samlp:AuthnRequest>",
        escape(id),
        instant(now),
        escape(destination),
        escape(acs),
        escape(sp_entity_id)
    )
}

/// The `SAMLRequest` value of the redirect binding: DEFLATE, then base64.
pub fn redirect_encode(xml: &str) -> String {
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(xml.as_bytes());
    B64.encode(encoder.finish().unwrap_or_default())
}

/// The value of a redirect-binding `SAMLRequest` or `SAMLResponse`: base64, then INFLATE.
pub fn redirect_decode(value: &str) -> Result<String, SamlError> {
    use std::io::Read;
    let bad = || SamlError("not a DEFLATE-encoded SAML message".into());
    let compressed = B64
        .decode(value.split_whitespace().collect::<String>())
        .map_err(|_| bad())?;
    let mut xml = String::new();
    flate2::read::DeflateDecoder::new(compressed.as_slice())
        .take(1 << 20)
        .read_to_string(&mut xml)
        .map_err(|_| bad())?;
    Ok(xml)
}

/// The LogoutRequest a pool sends (unsigned) to end the user's session at the provider.
pub fn logout_request(
    id: &str,
    now: f64,
    destination: &str,
    sp_entity_id: &str,
    name_id: &str,
    session_index: Option<&str>,
) -> String {
    let session = session_index
        .map(|s| format!("<samlp:SessionIndex>{}</samlp:SessionIndex>", escape(s)))
        .unwrap_or_default();
    format!(
        "<samlp:LogoutRequest xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" \
         ID=\"{}\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"{}\">\
         <saml:Issuer>{}</saml:Issuer>\
         <saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\">{}</saml:NameID>\
         {session}</samlp:LogoutRequest>",
        escape(id),
        instant(now),
        escape(destination),
        escape(sp_entity_id),
        escape(name_id),
    )
}

/// The LogoutResponse a pool sends (unsigned) when the provider ended the session.
pub fn logout_response(
    id: &str,
    now: f64,
    destination: &str,
    in_response_to: &str,
    sp_entity_id: &str,
) -> String {
    format!(
        "<samlp:LogoutResponse xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" \
         ID=\"{}\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"{}\" InResponseTo=\"{}\">\
         <saml:Issuer>{}</saml:Issuer>\
         <samlp:Status><samlp:StatusCode Value=\"{SUCCESS}\"/></samlp:Status>\
         </samlp:LogoutResponse>",
        escape(id),
        instant(now),
        escape(destination),
        escape(in_response_to),
        escape(sp_entity_id),
    )
}

/// What a pool reads of a provider's logout message: its element (`LogoutRequest` or
/// `LogoutResponse`), ID, Issuer, InResponseTo and whether its status is Success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutMessage {
    pub element: String,
    pub id: String,
    pub issuer: Option<String>,
    pub in_response_to: Option<String>,
    pub success: bool,
}

/// Reads a LogoutRequest or LogoutResponse.
pub fn read_logout(xml: &str) -> Result<LogoutMessage, SamlError> {
    let doc = parse(xml)?;
    let root = doc.root_element();
    let element = root.tag_name().name();
    if root.tag_name().namespace() != Some(NS_PROTOCOL)
        || !matches!(element, "LogoutRequest" | "LogoutResponse")
    {
        return Err(SamlError(format!("not a logout message: {element}")));
    }
    let status = child(root, NS_PROTOCOL, "Status")
        .and_then(|s| child(s, NS_PROTOCOL, "StatusCode"))
        .and_then(|c| c.attribute("Value"));
    Ok(LogoutMessage {
        element: element.to_owned(),
        id: root.attribute("ID").unwrap_or_default().to_owned(),
        issuer: text(child(root, NS_ASSERTION, "Issuer")),
        in_response_to: root.attribute("InResponseTo").map(str::to_owned),
        success: status == Some(SUCCESS),
    })
}

/// The SP metadata of a pool.
pub fn sp_metadata(sp_entity_id: &str, acs: &str, logout: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <md:EntityDescriptor xmlns:md=\"{NS_METADATA}\" entityID=\"{}\">\
         <md:SPSSODescriptor AuthnRequestsSigned=\"false\" WantAssertionsSigned=\"true\" \
         protocolSupportEnumeration=\"{NS_PROTOCOL}\">\
         <md:SingleLogoutService Binding=\"{REDIRECT_BINDING}\" Location=\"{}\"/>\
         <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>\
         <md:AssertionConsumerService Binding=\"{POST_BINDING}\" Location=\"{}\" index=\"1\"/>\
         </md:SPSSODescriptor></md:EntityDescriptor>",
        escape(sp_entity_id),
        escape(logout),
        escape(acs)
    )
}

/// The element whose signature must verify: the Assertion when it is signed, else the Response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPart {
    pub id: String,
    /// `Response` or `Assertion`, in the SAML namespaces, for xmlsec's `--id-attr`.
    pub element: &'static str,
}

/// The checks before the signature: one Response holding one Assertion, and the element to
/// verify, whose `ds:Signature` is its direct child and references it by an ID no other
/// element has.
pub fn signed_part(xml: &str) -> Result<SignedPart, SamlError> {
    let doc = parse(xml)?;
    let response = doc.root_element();
    if !is(&response, NS_PROTOCOL, "Response") {
        return fail("the document is not a SAML Response");
    }
    let all_assertions = doc
        .descendants()
        .filter(|n| is(n, NS_ASSERTION, "Assertion") || is(n, NS_ASSERTION, "EncryptedAssertion"))
        .count();
    let direct: Vec<Node> = children(response, NS_ASSERTION, "Assertion").collect();
    if all_assertions != 1 || direct.len() != 1 {
        return fail("the Response must hold exactly one (unencrypted) Assertion");
    }
    let assertion = direct[0];
    let (node, element) = if child(assertion, NS_DSIG, "Signature").is_some() {
        (assertion, "Assertion")
    } else if child(response, NS_DSIG, "Signature").is_some() {
        (response, "Response")
    } else {
        return fail("neither the Response nor the Assertion is signed");
    };
    let id = node
        .attribute("ID")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| SamlError(format!("the signed {element} has no ID")))?;
    if doc
        .descendants()
        .filter(|n| n.attribute("ID") == Some(id))
        .count()
        != 1
    {
        return fail("the signed element's ID is not unique");
    }
    let signature = child(node, NS_DSIG, "Signature").expect("checked above");
    // xmlsec verifies the first signature under the element: it must be this one.
    let first = node.descendants().find(|n| is(n, NS_DSIG, "Signature"));
    if first != Some(signature) {
        return fail("another signature comes before the signed element's own");
    }
    let references: Vec<Node> = signature
        .descendants()
        .filter(|n| is(n, NS_DSIG, "Reference"))
        .collect();
    if references.len() != 1 || references[0].attribute("URI") != Some(&format!("#{id}")) {
        return fail("the signature must reference the element it signs, and only it");
    }
    Ok(SignedPart {
        id: id.to_owned(),
        element,
    })
}

/// What the Response must match.
pub struct Expect<'a> {
    pub idp_entity_id: &'a str,
    pub sp_entity_id: &'a str,
    pub acs: &'a str,
    /// The AuthnRequest's ID; None for a sign-in the identity provider started.
    pub in_response_to: Option<&'a str>,
    pub now: f64,
}

/// The user a verified Response signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    pub name_id: String,
    pub attributes: BTreeMap<String, Vec<String>>,
    pub session_index: Option<String>,
}

fn time_of(node: Node, name: &str) -> Result<Option<f64>, SamlError> {
    match node.attribute(name) {
        None => Ok(None),
        Some(t) => OffsetDateTime::parse(t, &Rfc3339)
            .map(|t| Some(t.unix_timestamp() as f64))
            .map_err(|_| SamlError(format!("{name} is not a time: {t}"))),
    }
}

/// Whether two URLs name the same endpoint: a sign-in the provider starts carries its
/// authorization request in the ACS URL's query.
fn same_endpoint(a: &str, b: &str) -> bool {
    let path = |u: &str| u.split('?').next().unwrap_or("").to_owned();
    path(a) == path(b)
}

/// Reads the (verified) Response: status, issuer, audience, recipient, times and
/// InResponseTo checked, then the NameID and the attributes.
pub fn read_assertion(xml: &str, expect: &Expect) -> Result<Assertion, SamlError> {
    let doc = parse(xml)?;
    let response = doc.root_element();
    let status = child(response, NS_PROTOCOL, "Status")
        .and_then(|s| child(s, NS_PROTOCOL, "StatusCode"))
        .and_then(|c| c.attribute("Value"));
    if status != Some(SUCCESS) {
        return fail(format!(
            "the identity provider answered {}",
            status.unwrap_or("no status")
        ));
    }
    if let Some(destination) = response.attribute("Destination") {
        if !same_endpoint(destination, expect.acs) {
            return fail("the Response is for another destination");
        }
    }
    let answered = response.attribute("InResponseTo");
    match (expect.in_response_to, answered) {
        (Some(ours), Some(theirs)) if ours == theirs => {}
        (None, None) => {}
        (None, Some(_)) => return fail("the Response answers a request this sign-in did not make"),
        _ => return fail("the Response does not answer this sign-in's request"),
    }
    let assertion = child(response, NS_ASSERTION, "Assertion")
        .ok_or_else(|| SamlError("no Assertion".into()))?;
    if text(child(assertion, NS_ASSERTION, "Issuer")).as_deref() != Some(expect.idp_entity_id) {
        return fail("the Assertion is of another issuer");
    }
    let subject = child(assertion, NS_ASSERTION, "Subject")
        .ok_or_else(|| SamlError("the Assertion has no Subject".into()))?;
    let name_id = text(child(subject, NS_ASSERTION, "NameID"))
        .filter(|n| !n.is_empty())
        .ok_or_else(|| SamlError("the Subject has no NameID".into()))?;
    let confirmed = children(subject, NS_ASSERTION, "SubjectConfirmation")
        .filter(|c| c.attribute("Method") == Some("urn:oasis:names:tc:SAML:2.0:cm:bearer"))
        .filter_map(|c| child(c, NS_ASSERTION, "SubjectConfirmationData"))
        .any(|d| {
            d.attribute("Recipient")
                .is_some_and(|r| same_endpoint(r, expect.acs))
                && time_of(d, "NotOnOrAfter")
                    .ok()
                    .flatten()
                    .is_some_and(|t| expect.now < t + SKEW_SECONDS)
                && d.attribute("InResponseTo") == expect.in_response_to
        });
    if !confirmed {
        return fail("no bearer SubjectConfirmation for this recipient and request is current");
    }
    let conditions = child(assertion, NS_ASSERTION, "Conditions")
        .ok_or_else(|| SamlError("the Assertion has no Conditions".into()))?;
    if time_of(conditions, "NotBefore")?.is_some_and(|t| expect.now + SKEW_SECONDS < t) {
        return fail("the Assertion is not valid yet");
    }
    if time_of(conditions, "NotOnOrAfter")?.is_some_and(|t| expect.now >= t + SKEW_SECONDS) {
        return fail("the Assertion has expired");
    }
    let audiences: Vec<String> = conditions
        .descendants()
        .filter(|n| is(n, NS_ASSERTION, "Audience"))
        .filter_map(|a| text(Some(a)))
        .collect();
    if !audiences.iter().any(|a| a == expect.sp_entity_id) {
        return fail("the Assertion is for another audience");
    }
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for statement in children(assertion, NS_ASSERTION, "AttributeStatement") {
        for attribute in children(statement, NS_ASSERTION, "Attribute") {
            let Some(name) = attribute.attribute("Name") else {
                continue;
            };
            let values =
                children(attribute, NS_ASSERTION, "AttributeValue").filter_map(|v| text(Some(v)));
            attributes
                .entry(name.to_owned())
                .or_default()
                .extend(values);
        }
    }
    let session_index = children(assertion, NS_ASSERTION, "AuthnStatement")
        .find_map(|s| s.attribute("SessionIndex"))
        .map(str::to_owned);
    Ok(Assertion {
        name_id,
        attributes,
        session_index,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logout_messages_go_and_come_back_by_the_redirect_binding() {
        let request = logout_request(
            "_r1",
            1_700_000_000.0,
            "https://idp.example/slo",
            "urn:amazon:cognito:sp:us-east-1_x",
            "user<1>",
            Some("s-9"),
        );
        let decoded = redirect_decode(&redirect_encode(&request)).unwrap();
        assert_eq!(decoded, request);
        assert!(decoded.contains("<saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\">user&lt;1&gt;</saml:NameID>"));
        assert!(decoded.contains("<samlp:SessionIndex>s-9</samlp:SessionIndex>"));
        let read = read_logout(&decoded).unwrap();
        assert_eq!(read.element, "LogoutRequest");
        assert_eq!(read.id, "_r1");
        assert_eq!(
            read.issuer.as_deref(),
            Some("urn:amazon:cognito:sp:us-east-1_x")
        );
        assert!(!read.success);

        let response = logout_response(
            "_a2",
            1_700_000_000.0,
            "https://idp.example/slo",
            "_r1",
            "sp",
        );
        let read = read_logout(&response).unwrap();
        assert_eq!(read.element, "LogoutResponse");
        assert_eq!(read.in_response_to.as_deref(), Some("_r1"));
        assert!(read.success);
        assert!(read_logout(
            "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>"
        )
        .is_err());
        assert!(redirect_decode("not base64!").is_err());
    }

    const METADATA: &str = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/idp">
      <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
        <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
          MIIB
          AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
        <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>ENC</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
        <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/slo"/>
        <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/post"/>
        <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso?a=1&amp;b=2"/>
      </md:IDPSSODescriptor>
    </md:EntityDescriptor>"#;

    #[test]
    fn metadata_gives_endpoints_and_signing_certificates() {
        let m = parse_metadata(METADATA).unwrap();
        assert_eq!(m.entity_id, "https://idp.example.com/idp");
        assert_eq!(
            m.sso_redirect.as_deref(),
            Some("https://idp.example.com/sso?a=1&b=2")
        );
        assert_eq!(
            m.slo_redirect.as_deref(),
            Some("https://idp.example.com/slo")
        );
        assert_eq!(m.certificates, ["MIIBAAAA"]);
        assert!(parse_metadata("<!DOCTYPE x [<!ENTITY a \"b\">]><x/>").is_err());
    }

    fn response(assertions: &str, signature_on_response: bool) -> String {
        let signature = if signature_on_response {
            r##"<ds:Signature><ds:SignedInfo><ds:Reference URI="#r1"/></ds:SignedInfo></ds:Signature>"##
        } else {
            ""
        };
        format!(
            r#"<samlp:Response xmlns:samlp="{NS_PROTOCOL}" xmlns:saml="{NS_ASSERTION}" xmlns:ds="{NS_DSIG}" ID="r1">{signature}{assertions}</samlp:Response>"#
        )
    }

    #[test]
    fn the_signed_part_is_pinned_down() {
        let signed_assertion = r##"<saml:Assertion ID="a1"><ds:Signature><ds:SignedInfo><ds:Reference URI="#a1"/></ds:SignedInfo></ds:Signature></saml:Assertion>"##;
        assert_eq!(
            signed_part(&response(signed_assertion, false)).unwrap(),
            SignedPart {
                id: "a1".into(),
                element: "Assertion"
            }
        );
        let plain = r#"<saml:Assertion ID="a1"/>"#;
        assert_eq!(
            signed_part(&response(plain, true)).unwrap().element,
            "Response"
        );
        assert!(signed_part(&response(plain, false)).is_err(), "unsigned");
        assert!(
            signed_part(&response(&format!("{plain}{plain}"), true)).is_err(),
            "two assertions"
        );
        let wrapped =
            format!(r#"<samlp:Extensions>{plain}</samlp:Extensions><saml:Assertion ID="a2"/>"#);
        assert!(
            signed_part(&response(&wrapped, true)).is_err(),
            "a hidden assertion"
        );
        let elsewhere = r##"<saml:Assertion ID="a1"><ds:Signature><ds:SignedInfo><ds:Reference URI="#other"/></ds:SignedInfo></ds:Signature></saml:Assertion>"##;
        assert!(
            signed_part(&response(elsewhere, false)).is_err(),
            "signs something else"
        );
        let duplicate = r##"<saml:Assertion ID="a1"><ds:Signature><ds:SignedInfo><ds:Reference URI="#a1"/></ds:SignedInfo></ds:Signature><saml:Subject ID="a1"/></saml:Assertion>"##;
        assert!(
            signed_part(&response(duplicate, false)).is_err(),
            "a duplicate ID"
        );
    }

    #[test]
    fn requests_deflate_and_escape() {
        let xml = authn_request(
            "_1",
            0.0,
            "https://idp/sso",
            "http://sp/acs?a=1&b=2",
            "urn:amazon:cognito:sp:p",
        );
        assert!(xml.contains("AssertionConsumerServiceURL=\"http://sp/acs?a=1&amp;b=2\""));
        assert!(xml.contains("IssueInstant=\"1970-01-01T00:00:00Z\""));
        let encoded = redirect_encode(&xml);
        let raw = B64.decode(encoded).unwrap();
        let mut out = String::new();
        use std::io::Read;
        flate2::read::DeflateDecoder::new(&raw[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, xml);
    }
}
