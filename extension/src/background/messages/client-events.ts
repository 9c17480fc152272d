import type { PlasmoMessaging } from '@plasmohq/messaging';
import type { RequestOf, ResponseOf } from '../../shared/messages.js';
import { controller, ready } from '../instance.js';
import { contentScriptUrl } from '../senders.js';

/** `client-events`: a batch of captured page events, sent on over the channel (or POST /events). */
const handler: PlasmoMessaging.MessageHandler<RequestOf<'client-events'>, ResponseOf<'client-events'>> = async (req, res) => {
  await ready;
  res.send({ accepted: await controller.clientEvents(req.body?.events, contentScriptUrl(req.sender)) });
};

export default handler;
