// The index page: only the language switch.
import { chrome } from "./ui.js";

chrome();
