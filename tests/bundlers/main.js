// A merchant's page as a bundler sees it: the SDK imported by its package name.
import { startPayment } from "pay-frontend";

function show(id, text) {
  const box = document.getElementById(id);
  box.textContent = text;
  box.hidden = false;
}

document.getElementById("buy").addEventListener("click", async () => {
  try {
    const quantity = Number(document.getElementById("quantity").value);
    const payment = await fetch("/api/create-my-payment", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ productId: "mug", quantity }),
    }).then((r) => r.json());
    const result = await startPayment(payment.id, {
      showThankYouPage: false,
      termsAndConditionsLink: new URL("/terms.html", location.href).href,
      allowManualPayment: true,
    });
    if (result.status === "Successful") show("success", "Success");
    else if (result.status === "Pending") show("pending", "Pending");
    else show("info", result.status);
  } catch (error) {
    show("error", `${error.code}: ${error.message}`);
  }
});
