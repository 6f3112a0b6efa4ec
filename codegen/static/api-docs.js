// Starts Swagger UI on /api/docs with the service's own OpenAPI document.
window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // the "Try it out" requests carry the token entered under Authorize
  persistAuthorization: false,
});
