// The sign-in page: the key goes once, in the body of POST /dashboard/session, and is cleared
// from the field at once; the session is the HttpOnly cookie that answer sets.
import { loadSession, signIn } from "./api.js";

const form = document.getElementById("sign-in");
const input = document.getElementById("key");
const error = document.getElementById("sign-in-error");

function fail(text) {
  error.textContent = text;
  input.setAttribute("aria-invalid", "true");
  input.focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = input.value;
  input.value = "";
  error.textContent = "";
  if (!key) {
    fail("Enter the secret key.");
    return;
  }
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    await signIn(key);
    window.location.replace("/dashboard/");
  } catch (e) {
    if (e.status === 429) fail("Too many wrong keys from this address: wait a minute, then try again.");
    else if (e.status === 401) fail("That is not the secret key.");
    else fail(`Could not sign in: ${e.message}`);
  } finally {
    button.disabled = false;
  }
});

// Already signed in: straight to the dashboard.
loadSession().then((session) => {
  if (session) window.location.replace("/dashboard/");
}, () => {});
input.focus();
