import { Options } from './ui/options/Options.js';
import './ui/ui.css';

export default Options;
