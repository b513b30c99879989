// The seed tutorial as a page: "Buy Now" asks the shop's own server to create the payment
// (product id and quantity only; the price comes from the server's catalog), then opens the
// Pay popup. The result shown here is for display only: the server acts on payment events.
import { startPayment } from "/sdk/index.js";

const show = (id, text) => {
  for (const box of ["success", "pending", "error"]) {
    document.getElementById(box).hidden = box !== id;
  }
  if (text) document.getElementById(id).textContent = text;
};

async function buyNow(button) {
  button.disabled = true;
  try {
    const quantity = Number(document.getElementById("quantity").value) || 1;
    const response = await fetch("/api/create-my-payment", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ productId: "mug", quantity }),
    });
    if (!response.ok) {
      const problem = await response.json();
      show("error", problem.message);
      return;
    }
    const payment = await response.json();
    const result = await startPayment(payment.id, {
      showThankYouPage: false,
      termsAndConditionsLink: new URL("/terms.html", location.href).href,
    });
    if (result.status === "Successful") show("success");
    else if (result.status === "Pending" || result.status === "Offline") show("pending");
    else show(null);
  } catch (error) {
    show("error", `Payment could not start (${error.code ?? error.message}).`);
  } finally {
    button.disabled = false;
  }
}

document.getElementById("buy").addEventListener("click", (event) => buyNow(event.currentTarget));
