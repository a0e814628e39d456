import { permits } from '../auth/roles.ts';
import { type Html, html } from './html.ts';
import type { Session } from './sessions.ts';

/** Where the dashboard's static files are served (web/ and htmx from node_modules). */
export const STATIC_PREFIX = '/ui/static';

/**
 * A whole page: the theme follows the system (prefers-color-scheme in the CSS), scripts come
 * from mend itself (no CDN: it works offline), and htmx is kept from evaluating any text as
 * script (allowEval false, no inline styles), which the Content-Security-Policy also forbids.
 */
/** The pages in the bar; Audit only for a role that may read the audit log. */
export type PageName = 'overview' | 'trends' | 'audit';

export interface PageOptions {
  title: string;
  session?: Session;
  main: Html;
  /** The page the bar marks as current. */
  current?: PageName;
  /** A page's own scripts and styles (static file names), after the dashboard's. */
  scripts?: readonly string[];
  styles?: readonly string[];
}

export function page(options: PageOptions): string {
  const { title, session, main, current, scripts = [], styles = [] } = options;
  const headers = session ? JSON.stringify({ 'X-CSRF-Token': session.csrf }) : undefined;
  return `<!doctype html>\n${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"[45]..","swap":true,"error":true}]}'>
<title>${title} · mend</title>
${styles.map((name) => html`<link rel="stylesheet" href="${STATIC_PREFIX}/${name}">\n`)}<link rel="stylesheet" href="${STATIC_PREFIX}/dashboard.css">
<script src="${STATIC_PREFIX}/htmx.min.js" defer></script>
<script src="${STATIC_PREFIX}/dashboard.js" defer></script>
${scripts.map((name) => html`<script src="${STATIC_PREFIX}/${name}" defer></script>\n`)}
</head>
<body${headers ? html` hx-headers="${headers}"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="bar">
<a class="brand" href="/">mend</a>
${
  session
    ? html`${nav(session, current)}
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

function nav(session: Session, current: PageName | undefined): Html {
  const link = (name: PageName, href: string, text: string) =>
    html`<a href="${href}"${current === name ? html` aria-current="page"` : ''}>${text}</a>`;
  return html`<nav aria-label="Pages">${link('overview', '/', 'Overview')} ${link('trends', '/trends', 'Trends')}${
    permits(session.role, 'audit:read') ? html` ${link('audit', '/audit', 'Audit')}` : ''
  }</nav>`;
}

/**
 * What the server did with an action: applied; recorded and not applied yet (the decision loop
 * takes it when it can); or refused, and why. Shown where the page keeps answers (aria-live).
 */
export type AnswerKind = 'applied' | 'pending' | 'refused';

const ANSWER_WORDS: Record<AnswerKind, string> = {
  applied: 'Applied',
  pending: 'Recorded, not applied yet',
  refused: 'Refused',
};

export function answer(kind: AnswerKind, text: string): Html {
  const look = kind === 'applied' ? 'ok' : kind === 'pending' ? 'pending' : 'refused';
  return html`<p class="answer ${look}" role="status">${ANSWER_WORDS[kind]}: ${text}</p>`;
}
