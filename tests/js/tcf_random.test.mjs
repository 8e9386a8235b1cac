// TCF conformance, part 2: random TC strings made by the IAB's own encoder (@iabtechlabtcf/core,
// a dev dependency used only here) are decoded by vitrine and by the IAB decoder, and every field
// is compared. Fresh strings each run; TCF_SEED=<n> reproduces a run, TCF_STRINGS=<n> sets how
// many (default 1,200). The Global Vendor List the encoder needs is built in memory: no network.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { GVL, PurposeRestriction, Segment, TCModel, TCString } from '@iabtechlabtcf/core';
import vitrine, { mulberry32 } from './load.mjs';

const { decodeTcString } = vitrine;
const SEED = Number(process.env.TCF_SEED ?? randomInt(2 ** 31));
const COUNT = Number(process.env.TCF_STRINGS ?? 1200);
const LANGUAGES = ['EN', 'FR', 'DE', 'ES', 'IT', 'NL', 'PL', 'SV', 'FI', 'JA', 'ZH', 'PT-BR', 'SR-LATN'];

/** Seeded draws over `mulberry32`. */
function generator(seed) {
  const next = mulberry32(seed);
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const subset = (lo, hi, p) => {
    const out = [];
    for (let i = lo; i <= hi; i++) if (next() < p) out.push(i);
    return out;
  };
  const pick = (xs) => xs[int(0, xs.length - 1)];
  return { next, int, subset, pick };
}

/** An in-memory Global Vendor List with vendors `ids`, each declaring random purposes. */
function makeGvl(r, ids, policyVersion, vendorListVersion, language) {
  const named = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [i + 1, { id: i + 1, name: `#${i + 1}`, description: '', illustrations: [] }]));
  const vendors = {};
  for (const id of ids) {
    const purposes = r.subset(1, 11, 0.5);
    const legIntPurposes = r.subset(2, 11, 0.3).filter((p) => !purposes.includes(p));
    vendors[id] = {
      id,
      name: `vendor ${id}`,
      purposes,
      legIntPurposes,
      flexiblePurposes: [...purposes, ...legIntPurposes].filter(() => r.next() < 0.6),
      specialPurposes: r.subset(1, 2, 0.5),
      features: r.subset(1, 3, 0.5),
      specialFeatures: r.subset(1, 2, 0.3),
      policyUrl: 'https://vendor.invalid/privacy',
      cookieMaxAgeSeconds: null,
      usesCookies: false,
      usesNonCookieAccess: false,
    };
  }
  return new GVL(
    {
      gvlSpecificationVersion: 3,
      vendorListVersion,
      tcfPolicyVersion: policyVersion,
      lastUpdated: '2025-01-01T00:00:00Z',
      purposes: named(11),
      specialPurposes: named(2),
      features: named(3),
      specialFeatures: named(2),
      stacks: {},
      dataCategories: {},
      vendors,
    },
    { language },
  );
}

/**
 * Vendor lists of 5 to 1,500 vendors, some with gaps; built once, reused by many strings. Few are
 * large: the IAB encoder clones its vendor list for every string it encodes.
 */
function gvlPool(r, n) {
  return Array.from({ length: n }, (_, i) => {
    const maxVendor = i % 10 === 0 ? 1500 : r.pick([5, 40, 300]);
    const gvlIds = r.subset(1, maxVendor, r.pick([0.2, 0.7, 1]));
    if (!gvlIds.length) gvlIds.push(1);
    return { maxVendor, gvl: makeGvl(r, gvlIds, r.pick([2, 3, 4, 5]), r.int(1, 4095), r.pick(LANGUAGES)) };
  });
}

/** A random consent record, encoded by the IAB encoder with a random choice of segments. */
function randomString(r, pool) {
  const { maxVendor, gvl } = r.pick(pool);
  const m = new TCModel(gvl);
  m.cmpId = r.int(2, 4095);
  m.cmpVersion = r.int(0, 4095);
  m.consentScreen = r.int(0, 63);
  m.publisherCountryCode = String.fromCharCode(65 + r.int(0, 25), 65 + r.int(0, 25));
  m.isServiceSpecific = r.next() < 0.5;
  m.useNonStandardTexts = r.next() < 0.3;
  m.purposeOneTreatment = r.next() < 0.3;
  m.created = new Date(r.int(1.5e12, 1.9e12));
  m.lastUpdated = new Date(m.created.getTime() + r.int(0, 3e10));
  m.specialFeatureOptins.set(r.subset(1, 12, 0.4));
  m.purposeConsents.set(r.subset(1, 24, 0.5));
  m.purposeLegitimateInterests.set(r.subset(1, 24, 0.4));
  // Dense and sparse vendor sets, so the encoder picks bit fields and ranges.
  const density = () => r.pick([0.02, 0.3, 0.95]);
  m.vendorConsents.set(r.subset(1, maxVendor, density()));
  m.vendorLegitimateInterests.set(r.subset(1, maxVendor, density()));
  m.vendorsDisclosed.set(r.subset(1, maxVendor, density()));
  m.vendorsAllowed.set(r.subset(1, maxVendor, density()));
  for (let i = r.int(0, 4); i > 0; i--) {
    const restriction = new PurposeRestriction(r.int(1, 11), r.int(0, 2));
    for (const v of r.subset(1, maxVendor, r.pick([0.01, 0.2, 0.9]))) m.publisherRestrictions.add(v, restriction);
  }
  m.publisherConsents.set(r.subset(1, 24, 0.5));
  m.publisherLegitimateInterests.set(r.subset(1, 24, 0.3));
  const custom = r.int(0, 12);
  m.numCustomPurposes = custom;
  if (custom) {
    m.publisherCustomConsents.set(r.subset(1, custom, 0.5));
    m.publisherCustomLegitimateInterests.set(r.subset(1, custom, 0.5));
  }
  const oob = [Segment.VENDORS_DISCLOSED, Segment.VENDORS_ALLOWED, Segment.PUBLISHER_TC].filter(() => r.next() < 0.5);
  oob.sort(() => r.next() - 0.5);
  return TCString.encode(m, { segments: [Segment.CORE, ...oob] });
}

const bytes = (segment) => Buffer.from(segment.replace(/-/g, '+').replace(/_/g, '/'), 'base64');

const ids = (vector) => {
  const out = [];
  vector.forEach((set, id) => { if (set) out.push(id); });
  return out;
};

/** The IAB decoder's reading, in vitrine's field names. */
function official(s) {
  const m = TCString.decode(s);
  // The IAB model has empty publisher vectors either way; the segment's type bits say if it is there.
  const hasPublisherTC = s.split('.').slice(1).some((seg) => bytes(seg)[0] >> 5 === 3);
  return {
    version: m.version,
    created: m.created.getTime(),
    lastUpdated: m.lastUpdated.getTime(),
    cmpId: m.cmpId,
    cmpVersion: m.cmpVersion,
    consentScreen: m.consentScreen,
    consentLanguage: m.consentLanguage,
    vendorListVersion: m.vendorListVersion,
    policyVersion: m.policyVersion,
    isServiceSpecific: m.isServiceSpecific,
    useNonStandardStacks: m.useNonStandardTexts,
    specialFeatureOptins: ids(m.specialFeatureOptins),
    purposeConsents: ids(m.purposeConsents),
    purposeLegitimateInterests: ids(m.purposeLegitimateInterests),
    purposeOneTreatment: m.purposeOneTreatment,
    publisherCountryCode: m.publisherCountryCode,
    maxVendorIdConsent: m.vendorConsents.maxId,
    vendorConsents: ids(m.vendorConsents),
    maxVendorIdLegitimateInterest: m.vendorLegitimateInterests.maxId,
    vendorLegitimateInterests: ids(m.vendorLegitimateInterests),
    publisherRestrictions: m.publisherRestrictions
      .getRestrictions()
      .map((pr) => ({ purposeId: pr.purposeId, restrictionType: pr.restrictionType, vendors: m.publisherRestrictions.getVendors(pr) }))
      .sort((a, b) => a.purposeId - b.purposeId || a.restrictionType - b.restrictionType),
    disclosedVendors: ids(m.vendorsDisclosed),
    allowedVendors: ids(m.vendorsAllowed),
    publisherTC: hasPublisherTC
      ? {
          purposeConsents: ids(m.publisherConsents),
          purposeLegitimateInterests: ids(m.publisherLegitimateInterests),
          numCustomPurposes: m.numCustomPurposes,
          customPurposeConsents: ids(m.publisherCustomConsents),
          customPurposeLegitimateInterests: ids(m.publisherCustomLegitimateInterests),
        }
      : null,
  };
}

test(`${COUNT} random TC strings from the IAB encoder decode exactly as the IAB decoder reads them`, (t) => {
  assert.ok(COUNT >= 1000 || process.env.TCF_STRINGS, 'at least 1,000 strings');
  const r = generator(SEED);
  const pool = gvlPool(r, 40);
  const seen = { bitField: 0, range: 0, restrictions: 0, segments: [0, 0, 0, 0], fields: 0 };
  for (let i = 0; i < COUNT; i++) {
    const s = randomString(r, pool);
    const want = official(s);
    const got = decodeTcString(s);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
    for (const key of Object.keys(want)) {
      assert.deepEqual(got[key], want[key], `string ${i} (TCF_SEED=${SEED}) field ${key}: ${s}`);
      seen.fields++;
    }
    // What the run covered: the vendor consent section's encoding, restrictions, segments.
    const core = bytes(s.split('.')[0]);
    const bit = (n) => (core[n >> 3] >> (7 - (n & 7))) & 1;
    if (bit(213 + 16)) seen.range++;
    else seen.bitField++;
    if (got.publisherRestrictions.length) seen.restrictions++;
    seen.segments[0]++;
    for (const [k, name] of [[1, 'disclosedVendors'], [2, 'allowedVendors']]) if (got[name].length) seen.segments[k]++;
    if (got.publisherTC) seen.segments[3]++;
  }
  t.diagnostic(
    `TCF_SEED=${SEED}: ${COUNT} strings, ${seen.fields} fields equal; vendor consents as bit field ${seen.bitField}, as ranges ${seen.range}; `
    + `with restrictions ${seen.restrictions}; with disclosed ${seen.segments[1]}, allowed ${seen.segments[2]}, publisher TC ${seen.segments[3]}`,
  );
  for (const n of [seen.bitField, seen.range, seen.restrictions, ...seen.segments]) assert.ok(n > 0, 'every kind of string was covered');
});
