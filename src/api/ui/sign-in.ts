import { html } from './html.ts';
import { page } from './layout.ts';

/** The sign-in page: an API token in a password field, posted as a form (never in a URL). */
export function signInPage(message?: string): string {
  return page({
    title: 'Sign in',
    main: html`<section class="sign-in">
<h1>Sign in to mend</h1>
<p>Paste an API token (<code>mend token create NAME --role viewer</code>). The token stays on the server; the browser keeps only a session cookie.</p>
${message ? html`<p class="answer refused" role="alert">${message}</p>` : ''}
<form method="post" action="/ui/session">
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="off" required spellcheck="false">
<button type="submit">Sign in</button>
</form>
</section>`,
  });
}
