// The index page: only the language switch.
import { chrome } from "../live/chrome.js";

chrome();
