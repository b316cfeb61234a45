import type { QueryClient } from '@tanstack/react-query';
import { useProfile } from './api/queries';
import { DashboardDataProvider } from './components/DashboardDataProvider';
import { DashboardErrorBoundary } from './components/DashboardErrorBoundary';
import { DashboardLayout } from './components/DashboardLayout';
import { DashboardRouteGuard } from './components/DashboardRouteGuard';
import { NFTHoldingsGrid } from './components/NFTHoldingsGrid';
import { OrderHistoryTable } from './components/OrderHistoryTable';
import { ProfileSection } from './components/ProfileSection';

/** Dashboard lays out the three views; each fails on its own, behind its own boundary. */
function Dashboard() {
  const { data } = useProfile();
  // The member's settings hide views they turned off (shown until the profile says so).
  const settings = data?.profile.dashboardSettings;
  return (
    <DashboardLayout
      profile={
        <DashboardErrorBoundary title="Your profile could not be shown">
          <ProfileSection />
        </DashboardErrorBoundary>
      }
      orders={
        settings?.showOrderHistory === false ? null : (
          <DashboardErrorBoundary title="Your orders could not be shown">
            <OrderHistoryTable />
          </DashboardErrorBoundary>
        )
      }
      nfts={
        settings?.showNftHoldings === false ? null : (
          <DashboardErrorBoundary title="Your NFTs could not be shown">
            <NFTHoldingsGrid />
          </DashboardErrorBoundary>
        )
      }
    />
  );
}

export function App({ queryClient }: { queryClient?: QueryClient }) {
  return (
    <DashboardErrorBoundary title="The dashboard could not be shown">
      <DashboardRouteGuard>
        <DashboardDataProvider queryClient={queryClient}>
          <Dashboard />
        </DashboardDataProvider>
      </DashboardRouteGuard>
    </DashboardErrorBoundary>
  );
}
