// Runs the browser module terminal_ui/static/js/ballotbox/ under node for the cross-language tests:
// one JSON command on stdin, one JSON answer on stdout; a refusal answers {"error": code}.
import { encryptBallot } from "../../terminal_ui/static/js/ballotbox/ballot.js";
import { partialDecrypt, readBox, unlockCard } from "../../terminal_ui/static/js/ballotbox/holder.js";

const refusal = (err) => {
  if (err && err.code) return { error: err.code, en: err.en };
  throw err;
};

async function run(cmd) {
  if (cmd.op === "encrypt") {
    const ms = [];
    const ballots = cmd.choices.map((choice) => {
      const started = performance.now();
      try {
        return encryptBallot(cmd.layout, cmd.keys, cmd.context, choice);
      } catch (err) {
        return refusal(err);
      } finally {
        ms.push(performance.now() - started);
      }
    });
    return { ballots, ms };
  }
  if (cmd.op === "partial") {
    try {
      const share = await unlockCard(cmd.card, cmd.pin, cmd.keys);
      const box = readBox(cmd.keys, cmd.request);
      return { partial: partialDecrypt(share, box), count: box.count, box: box.hash };
    } catch (err) {
      return refusal(err);
    }
  }
  throw new Error(`unknown op ${cmd.op}`);
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  process.stdout.write(JSON.stringify(await run(JSON.parse(input))));
});
