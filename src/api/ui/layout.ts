import { type Html, html } from './html.ts';
import type { Session } from './sessions.ts';

/** Where the dashboard's static files are served (web/ and htmx from node_modules). */
export const STATIC_PREFIX = '/ui/static';

/**
 * A whole page: the theme follows the system (prefers-color-scheme in the CSS), scripts come
 * from mend itself (no CDN: it works offline), and htmx is kept from evaluating any text as
 * script (allowEval false, no inline styles), which the Content-Security-Policy also forbids.
 */
export function page(options: { title: string; session?: Session; main: Html }): string {
  const { title, session, main } = options;
  const headers = session ? JSON.stringify({ 'X-CSRF-Token': session.csrf }) : undefined;
  return `<!doctype html>\n${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"[45]..","swap":true,"error":true}]}'>
<title>${title} · mend</title>
<link rel="stylesheet" href="${STATIC_PREFIX}/dashboard.css">
<script src="${STATIC_PREFIX}/htmx.min.js" defer></script>
<script src="${STATIC_PREFIX}/dashboard.js" defer></script>
</head>
<body${headers ? html` hx-headers="${headers}"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="bar">
<a class="brand" href="/">mend</a>
${
  session
    ? html`<nav aria-label="Pages"><a href="/">Overview</a></nav>
<span class="who">signed in as <strong>${session.tokenName}</strong> (${session.role})</span>
<button type="button" class="quiet" hx-post="/ui/session/end" hx-swap="none">Sign out</button>`
    : ''
}
</header>
<main id="main" tabindex="-1">
${main}
</main>
</body>
</html>`.text
  }\n`;
}

/** The answer of an action, shown where the page keeps answers (an aria-live region). */
export function answer(ok: boolean, text: string): Html {
  return html`<p class="answer ${ok ? 'ok' : 'refused'}" role="status">${ok ? 'Applied' : 'Refused'}: ${text}</p>`;
}
