import { Popup } from './ui/popup/Popup.js';
import './ui/ui.css';

export default Popup;
