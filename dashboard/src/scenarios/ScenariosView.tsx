import { explainScenarioShaping, type Scenario } from '@downspin/protocol';
import { useState } from 'react';
import { useDashboard } from '../app/context.js';
import { Dialog } from '../sessions/Dialog.js';
import { DialogFooter } from '../sessions/DialogFooter.js';
import { useDialogAction } from '../sessions/useDialogAction.js';
import { ScenarioEditor } from './ScenarioEditor.js';
import { TimelineAxis } from './TimelineAxis.js';
import { useScenarios } from './useScenarios.js';

type Open = { kind: 'edit'; scenario?: Scenario } | { kind: 'delete'; scenario: Scenario } | null;


function DeleteDialog({ scenario, remove, onClose }: { scenario: Scenario; remove(): Promise<void>; onClose(): void }) {
  const { error, working, run } = useDialogAction(onClose);
  return (
    <Dialog title={`Delete scenario ${scenario.name}?`} onClose={onClose}>
      {() => (
        <form onSubmit={(e) => (e.preventDefault(), void run(remove))}>
          <p>Sessions it shaped keep their shaping; tests and scripts that apply it by name will get “scenario not found”.</p>
          <DialogFooter error={error} working={working} submit={{ label: 'Delete scenario', workingLabel: 'Deleting…', tone: 'danger' }} onCancel={onClose} cancelFirst />
        </form>
      )}
    </Dialog>
  );
}

/** The team's scenarios: list, create, edit (each save is a new version), delete. */
export function ScenariosView() {
  const { client, notify } = useDashboard();
  const { scenarios, error, reload } = useScenarios();
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);

  return (
    <section aria-labelledby="scenarios-title" className="view">
      <div className="view-head">
        <h1 id="scenarios-title">Scenarios</h1>
        <button type="button" className="primary" onClick={() => setOpen({ kind: 'edit' })}>
          New scenario
        </button>
      </div>
      <p className="muted">
        Apply one by name from a session’s Profile dialog, <code>downspin scenarios apply</code> or <code>shaper.apply('name')</code>.
      </p>
      {error && (
        <p className="message error" role="alert">
          The control API could not list the scenarios: {error}
        </p>
      )}
      {scenarios === null ? (
        <p className="empty">Loading scenarios…</p>
      ) : scenarios.length === 0 ? (
        <p className="empty">No scenarios yet.</p>
      ) : (
        <ul className="scenario-list">
          {scenarios.map((s) => (
            <li key={s.name} data-scenario={s.name}>
              <div className="scenario-head">
                <h2>{s.name}</h2>
                <span className="muted">
                  version {s.version} · {new Date(s.updatedAt).toLocaleString()} by {s.updatedBy}
                </span>
                <button type="button" onClick={() => setOpen({ kind: 'edit', scenario: s })} aria-label={`Edit scenario ${s.name}`}>
                  Edit
                </button>
                <button type="button" className="danger" onClick={() => setOpen({ kind: 'delete', scenario: s })} aria-label={`Delete scenario ${s.name}`}>
                  Delete
                </button>
              </div>
              {s.description && <p>{s.description}</p>}
              <p className="scenario-words">{explainScenarioShaping(s.shaping)}</p>
              <TimelineAxis shaping={s.shaping} label={`Steps of ${s.name}`} />
            </li>
          ))}
        </ul>
      )}
      {open?.kind === 'edit' && (
        <ScenarioEditor
          scenario={open.scenario}
          save={async (name, body) => {
            const saved = await client.saveScenario(name, body);
            notify('success', `Scenario ${saved.name} saved as version ${saved.version}.`);
            await reload();
          }}
          onClose={close}
        />
      )}
      {open?.kind === 'delete' && (
        <DeleteDialog
          scenario={open.scenario}
          remove={async () => {
            await client.deleteScenario(open.scenario.name);
            notify('success', `Scenario ${open.scenario.name} deleted.`);
            await reload();
          }}
          onClose={close}
        />
      )}
    </section>
  );
}
