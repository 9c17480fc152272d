import path from 'node:path';
import { Command, Option } from 'commander';
import { LocalCa } from '@downspin/proxy';
import { readSettings } from '../config.js';
import { addSettingOptions } from './settings-options.js';

const SETTINGS = ['dataDir'] as const;

/**
 * `downspin ca`: the local CA forward mode intercepts TLS with (made now if
 * there is none yet), so a browser can be told to trust it: its path, the
 * SHA-256 of its public key (Chromium's --ignore-certificate-errors-spki-list)
 * and, with --pem, the certificate itself. Never the private key.
 */
export function caCommand(): Command {
  const command = new Command('ca').description("print forward mode's local CA certificate (path, SPKI hash; --pem: the PEM) to trust in a browser");
  addSettingOptions(command, SETTINGS);
  command.addOption(new Option('--pem', 'print the CA certificate (PEM) only'));
  command.action(async (flags: Record<string, unknown>) => {
    const settings = readSettings(SETTINGS, flags, process.env);
    const ca = await LocalCa.open(path.resolve(settings.dataDir));
    if (flags.pem === true) {
      process.stdout.write(ca.info.pem.endsWith('\n') ? ca.info.pem : `${ca.info.pem}\n`);
      return;
    }
    process.stdout.write(`certificate: ${ca.info.certPath}\nspki-sha256: ${ca.info.spkiSha256}\n`);
  });
  return command;
}
