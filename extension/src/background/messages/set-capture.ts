import type { PlasmoMessaging } from '@plasmohq/messaging';
import type { RequestOf, ResponseOf } from '../../shared/messages.js';
import { controller, ready } from '../instance.js';
import { fromExtensionPage } from '../senders.js';

/** `set-capture`: the client event capture switch (a second opt-in after consent). */
const handler: PlasmoMessaging.MessageHandler<RequestOf<'set-capture'>, ResponseOf<'set-capture'>> = async (req, res) => {
  await ready;
  const enabled = req.body?.enabled === true;
  res.send(fromExtensionPage(req.sender) ? await controller.setCapture(enabled) : controller.state.get());
};

export default handler;
