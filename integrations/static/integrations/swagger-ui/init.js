// Starts Swagger UI on the schema; kept in a file so the page needs no inline script (CSP).
(function () {
  var script = document.getElementById("swagger-init");
  window.ui = SwaggerUIBundle({
    url: script.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    withCredentials: true,
  });
})();
