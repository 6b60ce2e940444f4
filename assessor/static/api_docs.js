// /api/docs: Swagger UI (static/vendor) on our OpenAPI document; the URL comes from the page.
(() => {
  "use strict";
  const root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: root.dataset.url,
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null, // never send the document to swagger.io's validator
  });
})();
