// IAB TCF v2.2 for the demo: a Global Vendor List held in memory (the shop is the only party; no
// vendor list is downloaded) and TC strings encoded by the IAB's own library, served from
// node_modules by serve.mjs.
import { GVL, TCModel, TCString } from '/vendor/@iabtechlabtcf/core/index.js';

/** This demo CMP's id: 4095, the largest the 12-bit field holds, so it is no registered CMP's. */
export const CMP_ID = 4095;
export const CMP_VERSION = 1;

/** TCF v2.2 purposes, with the names the policy gives them. */
export const PURPOSES = {
  1: 'Store and/or access information on a device',
  2: 'Use limited data to select advertising',
  3: 'Create profiles for personalised advertising',
  4: 'Use profiles to select personalised advertising',
  5: 'Create profiles to personalise content',
  6: 'Use profiles to select personalised content',
  7: 'Measure advertising performance',
  8: 'Measure content performance',
  9: 'Understand audiences through statistics or combinations of data from different sources',
  10: 'Develop and improve services',
  11: 'Use limited data to select content',
};

const named = (names) => Object.fromEntries(Object.entries(names).map(([id, name]) => [id, { id: Number(id), name, description: '', illustrations: [] }]));

function vendorList() {
  return new GVL({
    gvlSpecificationVersion: 3,
    vendorListVersion: 1,
    tcfPolicyVersion: 5,
    lastUpdated: '2025-01-01T00:00:00Z',
    purposes: named(PURPOSES),
    specialPurposes: named({ 1: 'Ensure security, prevent and detect fraud, and fix errors', 2: 'Deliver and present advertising and content' }),
    features: named({ 1: 'Match and combine data from other data sources', 2: 'Link different devices', 3: 'Identify devices based on information transmitted automatically' }),
    specialFeatures: named({ 1: 'Use precise geolocation data', 2: 'Actively scan device characteristics for identification' }),
    stacks: {},
    dataCategories: {},
    vendors: {},
  });
}

/**
 * A TC string (service-specific, publisher in FR, no vendors) consenting to `purposes`; with
 * `own`, the CMP declares purposes as the publisher's own too, and these are the shopper's answers
 * for them (the publisher TC segment, which vitrine reads with `policy.tcfPurposes: 'publisher'`).
 */
export function encodeTc(purposes, own = []) {
  const model = new TCModel(vendorList());
  model.cmpId = CMP_ID;
  model.cmpVersion = CMP_VERSION;
  model.isServiceSpecific = true;
  model.publisherCountryCode = 'FR';
  model.consentLanguage = 'EN';
  model.purposeConsents.set(purposes);
  model.publisherConsents.set(own);
  return TCString.encode(model);
}
