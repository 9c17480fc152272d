import type { PlasmoMessaging } from '@plasmohq/messaging';
import type { RequestOf, ResponseOf } from '../../shared/messages.js';
import { controller, ready } from '../instance.js';
import { fromExtensionPage } from '../senders.js';

/** `revoke`: consent revoked; stops everything and forgets the session id. */
const handler: PlasmoMessaging.MessageHandler<RequestOf<'revoke'>, ResponseOf<'revoke'>> = async (req, res) => {
  await ready;
  res.send(fromExtensionPage(req.sender) ? await controller.revoke() : controller.state.get());
};

export default handler;
