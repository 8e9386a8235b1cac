// TCF conformance, part 1: every vector in <repo>/../shared/data/tcf/ (vectors.json and the two
// golden parts) is decoded by the built package and every expected field is compared. Strings
// that must be rejected have to throw an Error that says why. Skips, saying so, when the shared
// data is not next to the checkout.
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vitrine from './load.mjs';

const { decodeTcString } = vitrine;
const dir = fileURLToPath(new URL('../../../shared/data/tcf/', import.meta.url));
const FILES = ['vectors.json', 'vectors_golden_part1.json', 'vectors_golden_part2.json'];
const missing = FILES.filter((f) => !existsSync(dir + f));

/** A mapper's result when the expected value needs converting too. */
const pair = (actual, expected) => ({ pair: true, actual, expected });

/**
 * Compares a decoded time (ms) with an expected ISO-8601 UTC time at the precision the expected
 * value states: deciseconds where the source gives them ("…:40.9Z"), whole seconds where it does
 * not (the golden corpus's reference decoder truncates to seconds).
 */
function sameTime(ms, iso) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?Z$/.exec(iso);
  assert.ok(m, `not an ISO-8601 UTC time: ${iso}`);
  const [, y, mo, d, h, mi, sec, frac = ''] = m;
  const unit = 10 ** (3 - frac.length);
  const want = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec) + Number(frac.padEnd(3, '0'));
  return pair(Math.floor(ms / unit) * unit, want);
}

const restriction = (t, p, type) => t.publisherRestrictions.find((r) => r.purposeId === p && r.restrictionType === type);

/** LiveRamp iabconsent's `MinorVersion()`: TCF 2.x minor version from the policy version. */
function iabconsentMinorVersion(policyVersion) {
  const minor = { 0: 0, 1: 0, 2: 0, 3: 1, 4: 2 }[policyVersion];
  if (minor === undefined) throw new Error(`Unsupported TCFPolicyVersion ${policyVersion}`);
  return minor;
}

/** Each expected (snake_case) field: how to read it from vitrine's decode. */
const FIELDS = {
  version: (t) => t.version,
  created: (t, want) => sameTime(t.created, want),
  last_updated: (t, want) => sameTime(t.lastUpdated, want),
  created_epoch: (t, want, e) => pair(t.created, want * 1000 + (e.created_nanos ?? 0) / 1e6),
  created_nanos: null, // with created_epoch
  last_updated_epoch: (t, want, e) => pair(t.lastUpdated, want * 1000 + (e.last_updated_nanos ?? 0) / 1e6),
  last_updated_nanos: null, // with last_updated_epoch
  cmp_id: (t) => t.cmpId,
  cmp_version: (t) => t.cmpVersion,
  consent_screen: (t) => t.consentScreen,
  consent_language: (t) => t.consentLanguage,
  vendor_list_version: (t) => t.vendorListVersion,
  policy_version: (t) => t.policyVersion,
  is_service_specific: (t) => t.isServiceSpecific,
  use_non_standard_stacks: (t) => t.useNonStandardStacks,
  special_features_opt_in: (t) => t.specialFeatureOptins,
  special_feature_3_opt_in: (t) => t.specialFeatureOptins.includes(3),
  purpose_consents: (t) => t.purposeConsents,
  purpose_consents_contains: (t, want) => pair(want.filter((p) => t.purposeConsents.includes(p)), want),
  purpose_legitimate_interests: (t) => t.purposeLegitimateInterests,
  purpose_one_treatment: (t) => t.purposeOneTreatment,
  publisher_cc: (t) => t.publisherCountryCode,
  max_vendor_id_consent: (t) => t.maxVendorIdConsent,
  vendor_consents: (t) => t.vendorConsents,
  max_vendor_id_legitimate_interest: (t) => t.maxVendorIdLegitimateInterest,
  vendor_legitimate_interests: (t) => t.vendorLegitimateInterests,
  publisher_restrictions: (t, want) => pair(
    t.publisherRestrictions,
    want.map((r) => ({ purposeId: r.purpose_id, restrictionType: r.restriction_type, vendors: r.vendors })),
  ),
  publisher_restriction_purpose1_type1_vendors: (t) => restriction(t, 1, 1)?.vendors,
  disclosed_vendors: (t) => t.disclosedVendors,
  allowed_vendors: (t) => t.allowedVendors,
  publisher_tc: (t, want) => {
    const p = t.publisherTC ?? {};
    const map = {
      consents: p.purposeConsents,
      legitimate_interests: p.purposeLegitimateInterests,
      num_custom_purposes: p.numCustomPurposes,
      custom_consents: p.customPurposeConsents,
      custom_legitimate_interests: p.customPurposeLegitimateInterests,
    };
    return pair(Object.fromEntries(Object.keys(want).map((k) => [k, map[k]])), want);
  },
  publisher_tc_consents_count: (t) => t.publisherTC?.purposeConsents.length,
  publisher_tc_custom_consents_empty: (t) => (t.publisherTC?.customPurposeConsents ?? []).length === 0,
  iabconsent_minor_version: (t) => iabconsentMinorVersion(t.policyVersion),
};

/** The reason each kind of expected error must give, in vitrine's words. */
function reasonFor(expectError) {
  const lit = /PurposesLIT (\d)/.exec(expectError);
  if (lit) return new RegExp(`legitimate interest is set for purpose ${lit[1]},`);
  if (/base64/i.test(expectError)) return /not base64url/;
  return /truncated: .* ends inside \w+/;
}

/** Checks one vector; returns `{fields compared, rejected}`. */
function check(v) {
  const e = v.expected ?? {};
  // Strings of another TCF version: detected and refused, naming the version.
  if (e.version !== undefined && e.version !== 2) {
    assert.deepEqual(Object.keys(e), ['version'], 'nothing else is expected of a non-v2 string');
    assert.throws(() => decodeTcString(v.tc_string), { name: 'Error', message: new RegExp(`unsupported version ${e.version} `) });
    return { fields: 1, rejected: true };
  }
  // iabconsent's TestMinorVersion: ParseV2 succeeds, the error comes from MinorVersion() (note).
  const derivedError = v.expect_error && v.source.test === 'TestMinorVersion';
  if (v.expect_error && !derivedError) {
    assert.throws(() => decodeTcString(v.tc_string), (err) => {
      assert.ok(err instanceof Error, 'a real Error');
      assert.match(err.message, /^invalid TC string: /);
      assert.match(err.message, reasonFor(v.expect_error), `expected because: ${v.expect_error}`);
      return true;
    });
    return { fields: 1, rejected: true };
  }
  const t = decodeTcString(v.tc_string);
  let n = 0;
  for (const [key, want] of Object.entries(e)) {
    assert.ok(key in FIELDS, `a mapping for expected field ${key}`);
    const read = FIELDS[key];
    if (read === null) continue;
    if (derivedError && key === 'iabconsent_minor_version') continue;
    const got = read(t, want, e);
    const { actual, expected } = got?.pair ? got : { actual: got, expected: want };
    assert.deepEqual(actual, expected, `${key}`);
    n++;
  }
  if (derivedError) {
    assert.throws(() => iabconsentMinorVersion(t.policyVersion), { message: v.expect_error });
    n++;
  }
  for (const c of v.restriction_checks ?? []) {
    const r = restriction(t, c.purpose_id, c.restriction_type);
    assert.equal(Boolean(r?.vendors.includes(c.vendor_id)), c.restricted, `restriction ${JSON.stringify(c)}`);
    n++;
  }
  // Golden corpus: the reference decoder's view of the publisher TC segment (all empty without one).
  const view = v.expected_publisher_view_perl;
  if (view) {
    const p = t.publisherTC;
    assert.deepEqual(
      {
        consents: p?.purposeConsents ?? [],
        legitimate_interests: p?.purposeLegitimateInterests ?? [],
        custom_consents: p?.customPurposeConsents ?? [],
        custom_legitimate_interests: p?.customPurposeLegitimateInterests ?? [],
      },
      view,
      'publisher TC',
    );
    n++;
  }
  return { fields: n, rejected: false };
}

if (missing.length) {
  test('TCF conformance vectors', { skip: `shared data not found: ${missing.map((f) => dir + f).join(', ')} (expected at <repo>/../shared/data/tcf/)` }, () => {});
} else {
  for (const file of FILES) {
    test(`TCF conformance: every vector of ${file}`, (t) => {
      const vectors = JSON.parse(readFileSync(dir + file, 'utf8'));
      assert.ok(vectors.length > 0);
      const failures = [];
      let fields = 0;
      let rejected = 0;
      for (const v of vectors) {
        try {
          const r = check(v);
          fields += r.fields;
          if (r.rejected) rejected++;
        } catch (err) {
          failures.push(`${v.id} ${v.tc_string.slice(0, 40)}…: ${err.message.split('\n')[0]}`);
        }
      }
      t.diagnostic(`${file}: ${vectors.length - failures.length}/${vectors.length} vectors matched (${rejected} rejected as expected), ${fields} fields compared`);
      assert.deepEqual(failures, [], `${failures.length} of ${vectors.length} vectors differ`);
    });
  }
}
