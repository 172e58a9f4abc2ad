// Starts Swagger UI on /docs from the vendored bundle (no inline script: the CSP forbids
// it). validatorUrl null: Swagger UI would otherwise load a badge from an outside host.
window.addEventListener("load", function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis]
  });
});
