// The managed login pages' passkey sign-in: the button's WebAuthn request options go to the
// browser's authenticator, and its AuthenticationResponseJSON is posted as the answer to the
// WEB_AUTHN challenge. (A file, not inline: the pages' Content-Security-Policy allows only
// scripts of their own origin.) The button is served disabled and enabled here, once its
// click does something: a click before this script has run would otherwise be lost.
const button = document.getElementById("passkey");
button.addEventListener("click", async () => {
  const error = document.getElementById("passkey-error");
  try {
    const options = JSON.parse(button.dataset.options);
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
    const credential = await navigator.credentials.get({ publicKey });
    document.getElementById("credential").value = JSON.stringify(credential.toJSON());
    document.getElementById("passkey-form").submit();
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  }
});
button.disabled = false;
