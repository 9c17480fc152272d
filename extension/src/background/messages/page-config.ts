import type { PlasmoMessaging } from '@plasmohq/messaging';
import type { RequestOf, ResponseOf } from '../../shared/messages.js';
import { controller, ready } from '../instance.js';
import { contentScriptUrl } from '../senders.js';

/** `page-config`: what a content script should do in its page (nothing, off the proxy origins or without consent). */
const handler: PlasmoMessaging.MessageHandler<RequestOf<'page-config'>, ResponseOf<'page-config'>> = async (req, res) => {
  await ready;
  res.send(controller.pageConfig(contentScriptUrl(req.sender)));
};

export default handler;
