import { useState } from 'react';
import { saveFile } from '../analytics/download.js';
import { useDashboard } from '../app/context.js';

/**
 * Forward mode's CA: the certificate to download, and how to trust it in
 * each browser. Without it every intercepted https request fails with a
 * certificate error, which is the first thing a new user of forward mode hits.
 */
export function ForwardView() {
  const { client, notify, reportError } = useDashboard();
  const [working, setWorking] = useState(false);
  const download = async () => {
    setWorking(true);
    try {
      const file = await client.caCertificate();
      saveFile(file.blob, file.filename);
      notify('success', `Saved ${file.filename}: import it as an authority, as the steps below say.`);
    } catch (error) {
      reportError('Download the CA certificate', error);
    } finally {
      setWorking(false);
    }
  };
  return (
    <section aria-labelledby="forward-title" className="view">
      <div className="view-head">
        <h1 id="forward-title">Forward mode</h1>
      </div>
      <p>
        With <code>--intercept</code>, the proxy is the browser&apos;s proxy for the hosts you list and signs their https certificates with a local
        CA. Trust that CA in the browser profile you test with, and only there: whoever holds its key can impersonate any site to that profile.
      </p>
      <button type="button" onClick={() => void download()} disabled={working}>
        {working ? 'Downloading…' : 'Download the CA certificate (downspin-ca.pem)'}
      </button>
      <h2>Chrome, Chromium, Edge</h2>
      <ol>
        <li>Settings → Privacy and security → Security → Manage certificates → Authorities.</li>
        <li>Import <code>downspin-ca.pem</code> and tick “Trust this certificate for identifying websites”.</li>
        <li>
          For a throw-away browser (tests), <code>--ignore-certificate-errors-spki-list=&lt;spki-sha256&gt;</code> with the hash{' '}
          <code>downspin ca</code> prints trusts it without importing.
        </li>
      </ol>
      <h2>Firefox</h2>
      <ol>
        <li>Settings → Privacy &amp; Security → Certificates → View Certificates → Authorities.</li>
        <li>Import <code>downspin-ca.pem</code> and tick “Trust this CA to identify websites”.</li>
      </ol>
    </section>
  );
}
