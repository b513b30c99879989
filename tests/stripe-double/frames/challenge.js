// The 3-D Secure challenge of the Stripe.js test double: localstripe's authentication endpoint
// (POST /v1/payment_intents/{id}/_authenticate, client_secret + success) through the double's
// server, then "done" to the page, which retrieves the PaymentIntent again.
const config = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const PARENT = config.origin;
const buttons = [...document.querySelectorAll("button")];

async function authenticate(success) {
  for (const button of buttons) button.disabled = true;
  const form = new URLSearchParams({ client_secret: config.clientSecret, success: String(success), key: config.key });
  try {
    await fetch(`/v1/payment_intents/${encodeURIComponent(config.intent)}/_authenticate`, { method: "POST", body: form });
  } catch {
    // The page retrieves the intent again and tells what it finds.
  }
  parent.postMessage({ type: "done" }, PARENT);
}

document.getElementById("complete").addEventListener("click", () => authenticate(true));
document.getElementById("fail").addEventListener("click", () => authenticate(false));
window.addEventListener("message", (event) => {
  if (event.source !== parent || event.origin !== PARENT || !event.data) return;
  if (event.data.type === "focus") document.getElementById("complete").focus();
});
parent.postMessage({ type: "ready" }, PARENT);
