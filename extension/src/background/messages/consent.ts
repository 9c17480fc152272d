import type { PlasmoMessaging } from '@plasmohq/messaging';
import type { RequestOf, ResponseOf } from '../../shared/messages.js';
import { controller, ready } from '../instance.js';
import { fromExtensionPage } from '../senders.js';

/** `consent`: consent given in the popup; makes the session id and starts everything. */
const handler: PlasmoMessaging.MessageHandler<RequestOf<'consent'>, ResponseOf<'consent'>> = async (req, res) => {
  await ready;
  res.send(fromExtensionPage(req.sender) ? await controller.consent() : controller.state.get());
};

export default handler;
