import { useId, useMemo, useState } from 'react';
import { useNFTs, useWallets } from '../api/queries';
import type { NFT } from '../api/types';
import { collectionLabel, formatRelative } from '../lib/format';
import { EmptyState, ErrorNotice, RefreshingNote, Skeleton } from './common';
import { DashboardErrorBoundary } from './DashboardErrorBoundary';
import { Address, WalletsPanel } from './WalletsPanel';

/** The picture shown when an NFT has no image or its image fails to load. */
export const FALLBACK_IMAGE =
  'data:image/svg+xml;charset=utf-8,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200"><rect width="200" height="200" fill="#f3e3ea"/>' +
      '<circle cx="100" cy="82" r="34" fill="#d9a7bd"/><rect x="46" y="128" width="108" height="40" rx="20" fill="#d9a7bd"/></svg>',
  );

function Thumbnail({ nft }: { nft: NFT }) {
  const src = nft.thumbnailUrl || nft.imageUrl;
  const [failed, setFailed] = useState<string | null>(null);
  const alt = nft.tokenName || `Token #${nft.tokenId}`;
  const broken = !src || failed === src;
  return (
    <img
      className={`nft__image${broken ? ' nft__image--fallback' : ''}`}
      src={broken ? FALLBACK_IMAGE : src}
      alt={broken ? `${alt} (image unavailable)` : alt}
      width={200}
      height={200}
      loading="lazy"
      decoding="async"
      onError={() => setFailed(src)}
    />
  );
}

/**
 * NFTHoldingsGrid shows the NFTs in the member's wallets from GET /dashboard/nfts (the union over the primary
 * wallet and every verified one; with several wallets each card names the wallet holding it), with a
 * collection filter, the last sync time, a note while the marketplace is being checked, and the wallets panel.
 */
export function NFTHoldingsGrid() {
  const filterId = useId();
  const [collection, setCollection] = useState<string>('');
  // The unfiltered list names the collections to filter by; the filtered one is asked of the API.
  const all = useNFTs(null);
  const list = useNFTs(collection || null);

  const collections = useMemo(() => {
    const ids = new Set<string>();
    for (const p of all.data?.pages ?? []) for (const n of p.nfts) ids.add(n.collectionId);
    if (collection) ids.add(collection);
    return [...ids].sort((a, b) => collectionLabel(a).localeCompare(collectionLabel(b)));
  }, [all.data, collection]);

  const first = list.data?.pages[0];
  const nfts = list.data?.pages.flatMap((p) => p.nfts) ?? [];
  const wallets = useWallets().data?.wallets;
  // No primary wallet and none in the list: nothing can hold NFTs yet. (Without a primary, verified wallets
  // still do. Until the list is read, no primary and no NFTs is taken as no wallet.)
  const noWallet = !first?.wallet && (wallets ? wallets.length === 0 : nfts.length === 0);
  // With more than one wallet, each card says which one holds it.
  const manyWallets = (wallets?.length ?? 0) > 1 || new Set(nfts.map((n) => n.wallet.toLowerCase())).size > 1;

  let body;
  if (list.isPending) {
    body = <Skeleton label="Loading your NFTs…" lines={4} />;
  } else if (list.isError) {
    body = <ErrorNotice title="We couldn't load your NFTs." error={list.error} onRetry={() => void list.refetch()} />;
  } else if (noWallet) {
    body = (
      <EmptyState title="No wallet linked yet.">
        <p>Add a wallet under Wallets above to see your Babes Club NFTs here.</p>
      </EmptyState>
    );
  } else if (nfts.length === 0) {
    body = collection ? (
      <EmptyState title={`No NFTs from ${collectionLabel(collection)} in your wallets.`}>
        <p>Choose “All collections” to see everything you hold.</p>
      </EmptyState>
    ) : (
      <EmptyState title="No Babes Club NFTs in your wallets yet.">
        <p>Just bought one? New holdings show up after the next sync with the marketplace, usually within an hour.</p>
      </EmptyState>
    );
  } else {
    body = (
      <>
        <ul className="nft-grid" aria-label={collection ? `NFTs from ${collectionLabel(collection)}` : 'Your NFTs'}>
          {nfts.map((n) => (
            <li key={`${n.contractAddress}-${n.tokenId}`} className="nft">
              <Thumbnail nft={n} />
              <div className="nft__body">
                <p className="nft__name">{n.tokenName || `Token #${n.tokenId}`}</p>
                <p className="muted small">
                  {collectionLabel(n.collectionId)} · #{n.tokenId}
                </p>
                {manyWallets && (
                  <p className="muted small nft__wallet">
                    In <Address address={n.wallet} />
                  </p>
                )}
              </div>
            </li>
          ))}
        </ul>
        {list.hasNextPage && (
          <button type="button" className="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {list.isFetchingNextPage ? 'Loading more…' : 'Show more NFTs'}
          </button>
        )}
      </>
    );
  }

  return (
    <div className="card">
      <div className="card__header">
        <h2 id="nfts-heading">NFT holdings</h2>
        {first && (
          <p className="muted small">
            {first.syncedAt ? (
              <>
                Last synced <time dateTime={first.syncedAt} title={first.syncedAt}>{formatRelative(first.syncedAt)}</time>
              </>
            ) : (
              'Not synced yet'
            )}
          </p>
        )}
      </div>
      <DashboardErrorBoundary title="Your wallets could not be shown">
        <WalletsPanel />
      </DashboardErrorBoundary>
      {first?.refreshing && <RefreshingNote>Checking the marketplace for changes to your holdings…</RefreshingNote>}
      {(collections.length > 1 || collection) && (
        <div className="filter">
          <label htmlFor={filterId}>Collection</label>
          <select id={filterId} value={collection} onChange={(e) => setCollection(e.target.value)}>
            <option value="">All collections</option>
            {collections.map((c) => (
              <option key={c} value={c}>
                {collectionLabel(c)}
              </option>
            ))}
          </select>
        </div>
      )}
      {body}
    </div>
  );
}
