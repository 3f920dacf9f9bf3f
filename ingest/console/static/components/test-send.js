// "Send a test": the saved template through the real pipeline (express lane) to an address of the
// operator's choice, marked as a test and left out of every mailing statistic.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { Field, FormError } from './field.js';

const CHANNELS = ['email', 'sms', 'push', 'inapp', 'webhook'].map((c) => ({ value: c, label: c }));
const ADDRESS = { email: 'Email address', sms: 'Phone', push: 'Device token', inapp: 'Client id', webhook: 'Client id' };

export function TestSend({ templateId }) {
  const [channel, setChannel] = useState('email');
  const [to, setTo] = useState('');
  const [clientId, setClientId] = useState('');
  const [error, setError] = useState(null);
  const [sent, setSent] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    try {
      const body = { channel, to: to.trim(), ...(clientId.trim() ? { clientId: clientId.trim() } : {}) };
      const accepted = await api('POST', `/api/templates/${encodeURIComponent(templateId)}/test-send`, body);
      setSent({ ...accepted, channel, to: body.to });
      setError(null);
    } catch (failure) {
      setError(failure);
      setSent(null);
    }
  };
  return html`<form class="form-grid card" onSubmit=${submit} aria-label="Send a test">
    <h2>Send a test</h2>
    <${FormError} error=${error} />
    <${Field} label="Channel" name="test-channel" kind="select" value=${channel} onInput=${setChannel} options=${CHANNELS} error=${error} path="channel" />
    <${Field} label=${ADDRESS[channel]} name="test-to" value=${to} onInput=${setTo} error=${error} path="to" required />
    <${Field} label="Render as client (optional)" name="test-client" value=${clientId} onInput=${setClientId} error=${error} path="clientId" />
    <div class="actions"><button type="submit">Send test</button></div>
    ${sent ? html`<p role="status" class="ok" data-delivery=${sent.deliveryId}>Test ${sent.channel} queued to ${sent.to}. It shows in the sample client's delivery log, never in mailing statistics.</p>` : null}
  </form>`;
}
