"""A SAML 2.0 identity provider made with pysaml2 (signing with xmlsec1), for the federation
tests. It signs in one user without asking (NameID saml-user-1) and answers:
  GET /sso?SAMLRequest=..&RelayState=..   an AuthnRequest (redirect binding): an auto-post form
                                          with the signed Response for the request's ACS;
  GET /initiate?acs=..&sp=..              an IdP-initiated Response for `acs`.
  GET /slo?SAMLRequest=..&RelayState=..   a LogoutRequest (redirect binding), parsed by pysaml2
                                          and answered with a LogoutResponse (a redirect);
  GET /initiate_logout?sp=..              a LogoutRequest of the IdP's for saml-user-1 (a redirect);
  GET /_logouts                           the NameID and SessionIndex of each LogoutRequest.
Prints one JSON line {"port": .., "metadata": ".."} when it listens.
Input from the environment: SP_METADATA (the pool's SP metadata XML)."""

import datetime
import json
import os
import sys
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_UNSPECIFIED, NameID
from saml2.server import Server

work = tempfile.mkdtemp()
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "saml-idp.localhost")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (
    x509.CertificateBuilder()
    .subject_name(name)
    .issuer_name(name)
    .public_key(key.public_key())
    .serial_number(x509.random_serial_number())
    .not_valid_before(now - datetime.timedelta(days=1))
    .not_valid_after(now + datetime.timedelta(days=30))
    .sign(key, hashes.SHA256())
)
key_file = os.path.join(work, "key.pem")
cert_file = os.path.join(work, "cert.pem")
with open(key_file, "wb") as f:
    f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
with open(cert_file, "wb") as f:
    f.write(cert.public_bytes(serialization.Encoding.PEM))
sp_file = os.path.join(work, "sp.xml")
with open(sp_file, "w") as f:
    f.write(os.environ["SP_METADATA"])

httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
port = httpd.server_address[1]
base = f"http://127.0.0.1:{port}"
config = IdPConfig()
config.load(
    {
        "entityid": f"{base}/idp",
        "key_file": key_file,
        "cert_file": cert_file,
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "metadata": {"local": [sp_file]},
        "service": {
            "idp": {
                "endpoints": {
                    "single_sign_on_service": [(f"{base}/sso", BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(f"{base}/slo", BINDING_HTTP_REDIRECT)],
                },
                "name_id_format": [NAMEID_FORMAT_UNSPECIFIED],
                "policy": {"default": {"lifetime": {"minutes": 15}, "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"}},
                "want_authn_requests_signed": False,
            }
        },
    }
)
idp = Server(config=config)
IDENTITY = {"email": ["sam@saml.example"], "displayName": ["Sam L"]}
LOGOUTS = []


def response_form(in_response_to, acs, sp, relay_state):
    response = idp.create_authn_response(
        IDENTITY,
        in_response_to=in_response_to,
        destination=acs,
        sp_entity_id=sp,
        name_id=NameID(format=NAMEID_FORMAT_UNSPECIFIED, text="saml-user-1"),
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
        sign_assertion=True,
        sign_response=False,
    )
    args = idp.apply_binding(BINDING_HTTP_POST, str(response), acs, relay_state, response=True)
    return args["data"]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        try:
            if url.path == "/sso":
                request = idp.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
                message = request.message
                html = response_form(
                    message.id,
                    message.assertion_consumer_service_url,
                    message.issuer.text,
                    query.get("RelayState", ""),
                )
            elif url.path == "/initiate":
                html = response_form(None, query["acs"], query["sp"], "")
            elif url.path == "/slo":
                request = idp.parse_logout_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
                message = request.message
                LOGOUTS.append({
                    "name_id": message.name_id.text,
                    "session_index": [s.text for s in message.session_index],
                    "issuer": message.issuer.text,
                })
                response = idp.create_logout_response(message, [BINDING_HTTP_REDIRECT])
                destination = idp.response_args(message, [BINDING_HTTP_REDIRECT])["destination"]
                args = idp.apply_binding(
                    BINDING_HTTP_REDIRECT, str(response), destination, query.get("RelayState", ""), response=True
                )
                return self.redirect(args)
            elif url.path == "/initiate_logout":
                destination = idp.metadata.single_logout_service(query["sp"], BINDING_HTTP_REDIRECT, "spsso")[0]["location"]
                _, request = idp.create_logout_request(
                    destination,
                    query["sp"],
                    name_id=NameID(format=NAMEID_FORMAT_UNSPECIFIED, text="saml-user-1"),
                )
                args = idp.apply_binding(BINDING_HTTP_REDIRECT, str(request), destination, "idp-relay")
                return self.redirect(args)
            elif url.path == "/_logouts":
                html = json.dumps(LOGOUTS)
            else:
                self.send_error(404)
                return
        except Exception as e:  # noqa: BLE001 - reported to the test
            self.send_response(500)
            self.end_headers()
            self.wfile.write(repr(e).encode())
            return
        body = html.encode() if isinstance(html, str) else html
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, args):
        location = dict(args["headers"])["Location"]
        self.send_response(302)
        self.send_header("location", location)
        self.end_headers()


httpd.RequestHandlerClass = Handler
metadata = create_metadata_string(None, config=config)
if isinstance(metadata, bytes):
    metadata = metadata.decode()
print(json.dumps({"port": port, "metadata": metadata}), flush=True)
sys.stdout.flush()
httpd.serve_forever()
