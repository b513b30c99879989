-- wrk: createPayment over the merchant API (a new durable payment per request).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("PAY_SECRET_KEY")
wrk.body = '{"items":[{"name":"Pay mug","price":12.50,"quantity":2},{"name":"Gift wrap","price":1.99}],"amount":26.99,"currency":"USD"}'
