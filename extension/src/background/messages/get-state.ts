import type { PlasmoMessaging } from '@plasmohq/messaging';
import type { RequestOf, ResponseOf } from '../../shared/messages.js';
import { controller, ready } from '../instance.js';

/** `get-state`: the state the popup shows. */
const handler: PlasmoMessaging.MessageHandler<RequestOf<'get-state'>, ResponseOf<'get-state'>> = async (req, res) => {
  await ready;
  res.send(controller.state.get());
};

export default handler;
