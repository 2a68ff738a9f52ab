// static/js/presence.js: an avatar's initials are the first letter or digit of the first
// two words of the name, never punctuation ("Priya (interviewer)" is "PI", not "P(").
import assert from "node:assert/strict";
import { test } from "node:test";

import { initialsOf } from "../../static/js/presence.js";

const named = (name, role = "candidate") => ({ name, role });

test("initials take letters and digits only, skipping punctuation", () => {
  assert.equal(initialsOf(named("Priya (interviewer)", "interviewer")), "PI");
  assert.equal(initialsOf(named("Ada Lovelace")), "AL");
  assert.equal(initialsOf(named("  ada   lovelace  byron ")), "AL");
  assert.equal(initialsOf(named("\"Bob\" - the builder")), "BT");
  assert.equal(initialsOf(named("@ada")), "A");
  assert.equal(initialsOf(named("R2 D2")), "RD");
  assert.equal(initialsOf(named("3rd reviewer")), "3R");
});

test("initials are Unicode-aware", () => {
  assert.equal(initialsOf(named("Élodie Ñúñez")), "ÉÑ");
  assert.equal(initialsOf(named("(李 小龙)")), "李小");
  // A letter written with a combining accent keeps its accent.
  assert.equal(initialsOf(named("e\u0301mile zola")), "E\u0301Z");
});

test("a name without letters or digits falls back to the role's initial, else ?", () => {
  assert.equal(initialsOf(named("(—) !!", "interviewer")), "I");
  assert.equal(initialsOf(named("🚀", "viewer")), "V");
  assert.equal(initialsOf(named("", "candidate")), "C");
  assert.equal(initialsOf(named("...", "")), "?");
  assert.equal(initialsOf({}), "?");
});
