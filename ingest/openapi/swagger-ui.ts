import path from 'node:path';
import type { Middleware } from 'koa';
import mount from 'koa-mount';
import serve from 'koa-static';

/** Where the installed swagger-ui-dist keeps its assets (served locally: the machine may have no internet). */
const ASSETS_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>Vestnik API</title>
    <link rel="stylesheet" type="text/css" href="/docs/swagger-ui.css" />
    <link rel="stylesheet" type="text/css" href="/docs/index.css" />
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="/docs/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="/docs/swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`;

/**
 * Replaces the package's initializer, which points at the public petstore. A served file, not an inline
 * script, so the page runs under `script-src 'self'`; no validator badge (it would load an outside image).
 */
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
    validatorUrl: null,
  });
};
`;

/** Swagger UI at /docs: our page and initializer, the rest from swagger-ui-dist on disk. */
export function swaggerUi(): Middleware {
  const assets = mount('/docs', serve(ASSETS_DIR, { index: false, maxage: 60 * 60 * 1000 }));
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/docs' || ctx.path === '/docs/' || ctx.path === '/docs/index.html') {
      ctx.type = 'html';
      ctx.body = PAGE;
      return;
    }
    if (ctx.path === '/docs/swagger-initializer.js') {
      ctx.type = 'application/javascript';
      ctx.body = INITIALIZER;
      return;
    }
    return assets(ctx, next);
  };
}
